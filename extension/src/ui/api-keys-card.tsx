/**
 * The API keys card: the site's keys by their last 4 characters, with Create, Rotate and Revoke.
 * A created or rotated key is shown whole exactly once, with a copy button, because the endpoint
 * stores only its hash; rotating and revoking each ask for confirmation first, since either one
 * breaks every caller still using the old key.
 */
import { Alert, Button, Card, CardTitle, ClipboardButton, Table } from "@netlify/sdk/ui/react/components";
import { useEffect, useRef, useState } from "react";
import { messageOf, type CreatedApiKey, type ExtensionApi, type Settings } from "./extension-api.ts";

type Pending = { action: "rotate" | "revoke"; id: string; last4: string };

export function ApiKeysCard({
  api,
  settings,
  onChanged,
}: {
  api: ExtensionApi;
  settings: Settings;
  /** Called after any change; reloads the settings (and so the list). */
  onChanged: () => Promise<void>;
}) {
  const [created, setCreated] = useState<{ key: CreatedApiKey; rotatedFrom?: string } | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The button that asked for confirmation is replaced by the question: keyboard focus moves to it.
  const confirmButton = useRef<HTMLButtonElement | HTMLAnchorElement>(null);
  useEffect(() => {
    if (pending) confirmButton.current?.focus();
  }, [pending]);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      await onChanged();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
      setPending(null);
    }
  };

  const create = () => run(async () => setCreated({ key: await api.createKey() }));
  const confirm = ({ action, id, last4 }: Pending) =>
    run(async () => {
      if (action === "rotate") setCreated({ key: await api.rotateKey(id), rotatedFrom: last4 });
      else {
        setCreated(null);
        await api.revokeKey(id);
      }
    });

  return (
    <Card>
      <CardTitle as="h3">API keys</CardTitle>
      <p>
        The CLI, other apps and the events views here call the site&apos;s events API with one of these keys.
      </p>
      {created && (
        <Alert type="success">
          <div>
            <p>
              {created.rotatedFrom
                ? `Key ending in ${created.rotatedFrom} was rotated. Its replacement:`
                : "New API key created:"}
            </p>
            <p>
              <code aria-label="New API key">{created.key.key}</code>{" "}
              <ClipboardButton value={created.key.key} />
            </p>
            <p>Copy it now: it won&apos;t be shown again.</p>
          </div>
        </Alert>
      )}
      {error && <Alert type="error">{error}</Alert>}
      <Table>
        <Table.Head>
          <Table.R>
            <Table.H>Key</Table.H>
            <Table.H>Actions</Table.H>
          </Table.R>
        </Table.Head>
        <Table.Body>
          {settings.apiKeys.map(({ id, last4 }) => (
            <Table.R key={id}>
              <Table.D>
                <code aria-label={`Key ending in ${last4}`}>••••{last4}</code>
              </Table.D>
              <Table.D>
                {pending?.id === id ? (
                  <span role="group" aria-label={`Confirm ${pending.action}`}>
                    {pending.action === "rotate"
                      ? `Rotate key ending in ${last4}? Callers using it stop working. `
                      : `Revoke key ending in ${last4}? Callers using it stop working. `}
                    <Button
                      ref={confirmButton}
                      variant="danger"
                      loading={busy}
                      onClick={() => void confirm(pending)}
                    >
                      {pending.action === "rotate" ? "Yes, rotate" : "Yes, revoke"}
                      <span className="tw-sr-only"> key ending in {last4}</span>
                    </Button>{" "}
                    <Button level="secondary" disabled={busy} onClick={() => setPending(null)}>
                      Cancel
                    </Button>
                  </span>
                ) : (
                  <>
                    <Button
                      level="secondary"
                      disabled={busy}
                      onClick={() => setPending({ action: "rotate", id, last4 })}
                    >
                      Rotate
                      <span className="tw-sr-only"> key ending in {last4}</span>
                    </Button>{" "}
                    <Button
                      level="secondary"
                      variant="danger"
                      disabled={busy}
                      onClick={() => setPending({ action: "revoke", id, last4 })}
                    >
                      Revoke
                      <span className="tw-sr-only"> key ending in {last4}</span>
                    </Button>
                  </>
                )}
              </Table.D>
            </Table.R>
          ))}
        </Table.Body>
      </Table>
      <div>
        <Button loading={busy && pending === null} disabled={busy} onClick={() => void create()}>
          Create API key
        </Button>
      </div>
    </Card>
  );
}
