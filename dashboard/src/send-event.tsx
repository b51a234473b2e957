/**
 * "Send event": a modal form that sends one event through the events API, as `awl send` does: to
 * try a workload without a terminal, or to send an event's name and data again from its page. Data
 * that is not JSON is refused before anything is sent; the API's refusals appear under the field
 * they name. Once sent, the new event's page opens, to watch it run.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { EventsApiError, type EventsApiClient } from "@awl/client/api-client";

/** What the form opens with. */
export interface SendDraft {
  name: string;
  /** JSON text. */
  data: string;
}

type Field = "name" | "data" | "delayUntil";
type FieldErrors = Partial<Record<Field | "form", string>>;

/** The API's issues, each under the field its path starts with (`delayUntil` is the delay field). */
function errorsOf(error: unknown): FieldErrors {
  if (!(error instanceof EventsApiError) || error.issues.length === 0) {
    return { form: (error as Error).message };
  }
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const head = issue.path[0];
    const field: Field | "form" = head === "name" || head === "data" || head === "delayUntil" ? head : "form";
    errors[field] = errors[field] ? `${errors[field]}; ${issue.message}` : issue.message;
  }
  return errors;
}

export function SendEventDialog(props: {
  client: EventsApiClient;
  /** Open with these values; undefined closes the dialog. */
  draft: SendDraft | undefined;
  /** Event names to suggest. */
  names: string[];
  onClose: () => void;
  onSent: (eventId: string, name: string) => void;
}) {
  const { client, draft, names, onClose, onSent } = props;
  const ref = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState("");
  const [data, setData] = useState("");
  const [delay, setDelay] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const titleId = useId();
  const namesId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (draft && !dialog.open) {
      setName(draft.name);
      setData(draft.data);
      setDelay("");
      setErrors({});
      dialog.showModal();
    }
    if (!draft && dialog.open) dialog.close();
  }, [draft]);

  const send = async () => {
    let parsed: unknown;
    try {
      parsed = data.trim() === "" ? null : JSON.parse(data);
    } catch (error) {
      setErrors({ data: `not JSON: ${(error as Error).message}` });
      return;
    }
    setBusy(true);
    try {
      const sent = await client.send({
        name: name.trim(),
        data: parsed,
        ...(delay.trim() ? { delayUntil: delay.trim() } : {}),
      });
      onSent(sent.eventId, name.trim());
    } catch (error) {
      setErrors(errorsOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      className="confirm send-event"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      {draft && (
        <form
          method="dialog"
          onSubmit={(event) => {
            event.preventDefault();
            void send();
          }}
        >
          <h2 id={titleId}>Send an event</h2>
          <LabelledField label="Event name" error={errors.name}>
            {(field) => (
              <input
                {...field}
                value={name}
                list={namesId}
                required
                spellCheck={false}
                autoComplete="off"
                onChange={(event) => setName(event.target.value)}
              />
            )}
          </LabelledField>
          <datalist id={namesId}>
            {names.map((known) => (
              <option key={known} value={known} />
            ))}
          </datalist>
          <LabelledField label="Data (JSON)" error={errors.data}>
            {(field) => (
              <textarea
                {...field}
                value={data}
                rows={8}
                spellCheck={false}
                className="mono"
                onChange={(event) => setData(event.target.value)}
              />
            )}
          </LabelledField>
          <LabelledField label="Delay (optional, e.g. 10m or an ISO date)" error={errors.delayUntil}>
            {(field) => (
              <input
                {...field}
                value={delay}
                spellCheck={false}
                autoComplete="off"
                onChange={(event) => setDelay(event.target.value)}
              />
            )}
          </LabelledField>
          <div role="alert" className={errors.form ? "alert" : undefined}>
            {errors.form}
          </div>
          <div className="actions">
            <button type="button" onClick={onClose} disabled={busy}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Sending…" : "Send event"}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

/** A label above its control, and the control's error below it, tied together for screen readers. */
function LabelledField(props: {
  label: string;
  error: string | undefined;
  children: (field: {
    id: string;
    "aria-invalid": true | undefined;
    "aria-describedby": string | undefined;
  }) => ReactNode;
}) {
  const { label, error, children } = props;
  const id = useId();
  const errorId = useId();
  return (
    <div className="form-field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        "aria-invalid": error ? true : undefined,
        "aria-describedby": error ? errorId : undefined,
      })}
      {error && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
