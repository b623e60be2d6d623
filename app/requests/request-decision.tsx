"use client";

import Link from "next/link";
import { useActionState } from "react";
import { initialFormState } from "@/lib/actions/form-state";
import { approveConnectionAction, rejectConnectionAction } from "@/app/connections/actions";
import { ApproveFormView, RejectFormView } from "@/app/connections/[id]/connection-forms";

/**
 * A request's Approve and Reject forms. Once one succeeds the request stays where it was and says
 * what was done over its forms, which keep their room (hidden and inert), so nothing below moves:
 * a decided request that vanished took its answer with it and slid the next request's Approve
 * button under the pointer. The list is read again on the next visit or reload.
 */
export function RequestDecision({ id }: { id: number }) {
  const approval = useActionState(approveConnectionAction, initialFormState);
  const rejection = useActionState(rejectConnectionAction, initialFormState);
  const outcome = [approval[0], rejection[0]].find((state) => state.status === "ok");
  return (
    <div className="relative mt-4">
      <div className={`grid gap-6 md:grid-cols-2 ${outcome ? "invisible" : ""}`} inert={outcome ? true : undefined}>
        <ApproveFormView id={id} compact from="requests" handle={approval} />
        <RejectFormView id={id} from="requests" handle={rejection} />
      </div>
      <div role="status" className="absolute inset-x-0 top-0">
        {outcome ? (
          <p className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
            {outcome.message}{" "}
            <Link href={`/connections/${id}`} className="font-medium underline">
              Open connection {id}
            </Link>
          </p>
        ) : null}
      </div>
    </div>
  );
}
