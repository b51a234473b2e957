/**
 * Retry and delete, for every view: a view asks `useActions().ask(...)` with the confirmation to show
 * and the call to make; the provider shows the modal, makes the call once confirmed, says what
 * happened in a status message (or why it failed in an alert) and refreshes the data.
 */
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";
import { ConfirmDialog, type Confirmation } from "./confirm-dialog.tsx";

export interface Action extends Confirmation {
  /** Makes the call; resolves to the message that says what happened ("Retried 3 runs."). */
  perform: () => Promise<string>;
  /** Runs after a successful call, e.g. to leave the page of a deleted event. */
  after?: () => void;
}

interface Actions {
  ask: (action: Action) => void;
  /** Says what happened in the status message, for what needs no confirmation (a sent event). */
  announce: (message: string) => void;
}

const ActionsContext = createContext<Actions | undefined>(undefined);

export function useActions(): Actions {
  const actions = useContext(ActionsContext);
  if (!actions) throw new Error("useActions() outside <ActionsProvider>");
  return actions;
}

export function ActionsProvider(props: { onDone: () => void; children: ReactNode }) {
  const { onDone, children } = props;
  const [pending, setPending] = useState<Action>();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const [failure, setFailure] = useState("");
  const ask = useCallback((action: Action) => {
    setFailure("");
    setPending(action);
  }, []);
  const announce = useCallback((message: string) => {
    setFailure("");
    setStatus(message);
  }, []);

  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    try {
      const message = await pending.perform();
      setStatus(message);
      pending.after?.();
    } catch (error) {
      setStatus("");
      setFailure(`${pending.confirmLabel} failed: ${(error as Error).message}`);
    } finally {
      setBusy(false);
      setPending(undefined);
      onDone();
    }
  };

  return (
    <ActionsContext.Provider value={{ ask, announce }}>
      {/* Live regions exist before they change, so that screen readers announce the change. */}
      <p role="status" className="status-message">
        {status}
      </p>
      <div role="alert" className={failure ? "alert" : undefined}>
        {failure}
      </div>
      {children}
      <ConfirmDialog
        confirmation={pending}
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => {
          setPending(undefined);
          setStatus("Cancelled: nothing was changed.");
        }}
      />
    </ActionsContext.Provider>
  );
}
