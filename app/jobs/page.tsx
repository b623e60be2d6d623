import type { Metadata } from "next";
import { getDb } from "@/db";
import { requirePageUser } from "@/lib/auth/page";
import { jobHistorySpec, listJobHistory, listJobs, type JobFilter } from "@/lib/jobs-admin";
import { parseListParams } from "@/lib/lists/list-params";
import { AutoRefresh } from "@/app/ui/auto-refresh";
import { StatusBadge } from "@/app/ui/status-badge";
import { JobActions } from "./job-forms";
import { DataTable } from "@/app/ui/data-table";
import { ListSearch, Pager } from "@/app/ui/list-controls";

export const metadata: Metadata = { title: "Jobs" };
export const dynamic = "force-dynamic";

const FILTERS: JobFilter[] = ["all", "failed", "queued", "running"];
const when = (value: Date | string | null) => (value ? new Date(value).toISOString().slice(0, 19).replace("T", " ") : "—");

export default async function JobsPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageUser("/jobs", ["admin", "operator"]);
  const searchParams = await props.searchParams;
  const requested = searchParams.state;
  const filter = FILTERS.find((entry) => entry === requested) ?? "all";
  const jobs = await listJobs(getDb(), filter);
  const history = parseListParams(jobHistorySpec, searchParams);
  const finished = await listJobHistory(getDb(), history);
  return (
    <div className="space-y-6">
      <AutoRefresh active={jobs.some((job) => job.locked_at)} intervalMs={3000} />
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Jobs</h1>
        <p className="mt-1 text-sm text-slate-600">Background work of the worker: provisioning, deployments, reconciliation. Failed jobs stay with their last error; finished ones move to the history below.</p>
      </div>
      <nav aria-label="Job states" className="flex gap-2 text-sm">
        {FILTERS.map((entry) => (
          <a key={entry} href={`?state=${entry}`} aria-current={entry === filter ? "page" : undefined} className={`rounded-md px-3 py-1.5 ${entry === filter ? "bg-brand-50 font-medium text-brand-700" : "text-slate-600 hover:bg-slate-100"}`}>
            {entry}
          </a>
        ))}
      </nav>
      {jobs.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No jobs here.</p>
      ) : (
        <DataTable columns={["#", "Task", "State", "Attempts", "Next run (UTC)", "Last error", <span key="actions" className="sr-only">Actions</span>]} dense>
              {jobs.map((job) => {
                const failed = (job.attempts ?? 0) >= (job.max_attempts ?? 1);
                return (
                  <tr key={job.id} data-job-id={job.id}>
                    <td className="px-3 py-2 font-mono text-xs">{job.id}</td>
                    <td className="px-3 py-2">
                      <div className="font-mono text-xs">{job.task_identifier}</div>
                      {job.key ? <div className="text-xs text-slate-500">{job.key}</div> : null}
                    </td>
                    <td className="px-3 py-2">{job.locked_at ? <StatusBadge tone="neutral">running</StatusBadge> : failed ? <StatusBadge tone="bad">failed</StatusBadge> : <StatusBadge tone="warn">queued</StatusBadge>}</td>
                    <td className="px-3 py-2">{job.attempts} of {job.max_attempts}</td>
                    <td className="px-3 py-2 font-mono text-xs">{failed ? "—" : when(job.run_at)}</td>
                    <td className="max-w-md px-3 py-2 text-xs break-words text-red-800">{job.last_error ?? ""}</td>
                    <td className="px-3 py-2">{job.locked_at ? null : <JobActions id={Number(job.id)} />}</td>
                  </tr>
                );
              })}
        </DataTable>
      )}
      <section aria-labelledby="job-history-heading" className="space-y-3">
        <h2 id="job-history-heading" className="text-lg font-semibold">Finished jobs</h2>
        <p className="text-sm text-slate-600">Every finished attempt, kept for {Math.max(1, Math.floor(Number(process.env.ZTIX_JOB_HISTORY_DAYS) || 7))} days.</p>
        <ListSearch list={history} label="Search finished jobs" placeholder="task, job id or payload" hidden={{ state: filter }} filters={[{ name: "outcome", label: "Outcome", options: ["succeeded", "failed"] }]} />
        <DataTable
          dense
          list={history}
          hidden={{ state: filter }}
          columns={[{ label: "Finished (UTC)", sort: "finished" }, "Job", { label: "Task", sort: "task" }, { label: "Outcome", sort: "outcome" }, { label: "Took", sort: "duration" }, "Payload / error"]}
        >
          {finished.rows.map((run) => (
            <tr key={run.id} data-testid="job-run">
              <td className="whitespace-nowrap font-mono text-xs">{when(run.finished_at)}</td>
              <td className="font-mono text-xs">{run.job_id ?? "—"}{run.attempts ? <div className="text-slate-500">attempt {run.attempts}</div> : null}</td>
              <td className="font-mono text-xs">{run.task}</td>
              <td>{run.ok ? <StatusBadge tone="ok">succeeded</StatusBadge> : <StatusBadge tone="bad">failed</StatusBadge>}</td>
              <td className="text-xs">{run.duration_ms} ms</td>
              <td className="max-w-md text-xs break-words">
                {run.payload ? <div className="font-mono text-slate-600">{JSON.stringify(run.payload)}</div> : null}
                {run.error ? <div className="text-red-800">{run.error}</div> : null}
              </td>
            </tr>
          ))}
        </DataTable>
        <Pager list={history} total={finished.total} noun={["finished job", "finished jobs"]} hidden={{ state: filter }} />
      </section>
    </div>
  );
}
