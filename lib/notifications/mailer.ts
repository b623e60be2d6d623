import "server-only";
import nodemailer from "nodemailer";
import { getConfig } from "@/lib/config";

type Transport = ReturnType<typeof nodemailer.createTransport>;
type MailerGlobal = { ztixMailer?: { url: string; transport: Transport } };
const holder = globalThis as MailerGlobal;

/** The SMTP transport of SMTP_URL (smtp:// or smtps://, credentials in the URL), one per process; null when unset. */
function transport(): Transport | null {
  const url = getConfig().SMTP_URL;
  if (!url) return null;
  if (holder.ztixMailer?.url !== url) holder.ztixMailer = { url, transport: nodemailer.createTransport(url) };
  return holder.ztixMailer.transport;
}

/** Sends one plain-text mail; false when e-mail is not configured (nothing is sent). Throws on SMTP failure. */
export async function sendMail(mail: { to: string; subject: string; text: string }): Promise<boolean> {
  const smtp = transport();
  if (!smtp) return false;
  await smtp.sendMail({ from: getConfig().MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text });
  return true;
}
