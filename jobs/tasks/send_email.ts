import type { Task } from "graphile-worker";
import { sendMail } from "@/lib/notifications/mailer";
import { parsePayload } from "../payloads";

/** One queued e-mail; a failed SMTP delivery throws, so the job retries (a bounded number of times). */
export const send_email: Task = async (payload, helpers) => {
  const mail = parsePayload("send_email", payload);
  const sent = await sendMail(mail);
  // SMTP_URL removed after queueing: nothing to send with, and nothing to fail about.
  if (!sent) helpers.logger.info(`e-mail not configured (SMTP_URL unset): dropped the ${mail.kind} mail`);
};
