import Link from "next/link";

export default function Forbidden() {
  return (
    <div className="mx-auto max-w-md text-center">
      <h1 className="text-2xl font-semibold">Not allowed</h1>
      <p className="mt-2 text-sm text-slate-600">
        Your account may not see this page. If your network&apos;s affiliation changed on PeeringDB, sign out and log in again.
      </p>
      <Link href="/" className="mt-4 inline-block text-sm font-medium text-brand-600 hover:underline">
        Back to the dashboard
      </Link>
    </div>
  );
}
