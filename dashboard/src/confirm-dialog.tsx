/**
 * The confirmation every retry and delete asks for: a native modal <dialog> (focus moves into it and
 * stays there, Escape cancels, the page behind is inert), labelled by its question and described by
 * what exactly will happen. Cancel has the focus first, so a stray Enter does nothing destructive.
 */
import { useEffect, useId, useRef } from "react";

export interface Confirmation {
  /** The question, e.g. "Retry 3 dead-lettered runs of checkout?" */
  title: string;
  /** What will happen, in full. */
  detail: string;
  /** The confirming button's label, e.g. "Retry 3 runs". */
  confirmLabel: string;
  destructive?: boolean;
}

export function ConfirmDialog(props: {
  confirmation: Confirmation | undefined;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { confirmation, busy, onConfirm, onCancel } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const detailId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (confirmation && !dialog.open) dialog.showModal();
    if (!confirmation && dialog.open) dialog.close();
  }, [confirmation]);

  return (
    <dialog
      ref={ref}
      className="confirm"
      aria-labelledby={titleId}
      aria-describedby={detailId}
      // Escape fires "cancel"; let React's state close the dialog, so the two never disagree.
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      {confirmation && (
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            onConfirm();
          }}
        >
          <h2 id={titleId}>{confirmation.title}</h2>
          <p id={detailId}>{confirmation.detail}</p>
          <div className="actions">
            <button type="button" autoFocus onClick={onCancel} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className={confirmation.destructive ? "danger" : "primary"} disabled={busy}>
              {busy ? "Working…" : confirmation.confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
