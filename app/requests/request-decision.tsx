"use client";

import Link from "next/link";
import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { approveConnectionAction, rejectConnectionAction } from "@/app/connections/actions";
import { ApproveFormView, RejectFormView } from "@/app/connections/[id]/connection-forms";

/**
 * A request's Approve and Reject forms. Once one succeeds the request stays where it was, showing
 * what was done in place of the buttons (the list is read again on the next visit or reload):
 * a decided request that vanished took its answer with it and moved the next one's Approve button
 * under the pointer.
 */
export function RequestDecision({ id }: { id: number }) {
  const approval = useActionState(approveConnectionAction, initialFormState);
  const rejection = useActionState(rejectConnectionAction, initialFormState);
  const outcome = [approval[0], rejection[0]].find((state) => state.status === "ok");
  if (outcome) {
    return (
      <p role="status" className="mt-4 rounded-md bg-emerald-50 p-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
        {outcome.message}{" "}
        <Link href={`/connections/${id}`} className="font-medium underline">
          Open connection {id}
        </Link>
      </p>
    );
  }
  return (
    <div className="mt-4 grid gap-6 md:grid-cols-2">
      <ApproveFormView id={id} compact from="requests" handle={approval} />
      <RejectFormView id={id} from="requests" handle={rejection} />
    </div>
  );
}
