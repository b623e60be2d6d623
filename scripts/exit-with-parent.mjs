/**
 * Preloaded (`node --import`) into the processes `npm start` runs: when the process that started
 * this one goes away (a SIGKILLed supervisor), this one is re-parented; it then stops itself with
 * SIGTERM, so its own clean stop runs and nothing of ztix is left behind.
 */
const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid !== parent) {
    clearInterval(timer);
    process.stderr.write(`ztix: the process that started ${process.pid} (pid ${parent}) is gone; stopping\n`);
    process.kill(process.pid, "SIGTERM");
  }
}, 1_000);
timer.unref();
