/**
 * The redeploy card: a site's functions read their environment variables as of their deploy, so a
 * saved credential, key or default takes effect only once the site is deployed again. After a
 * change the card says so and offers to start that deploy (a build of the site's production branch).
 */
import { Alert, Button, Card, CardTitle } from "@netlify/sdk/ui/react/components";
import { useState } from "react";
import { messageOf, type ExtensionApi } from "./extension-api.ts";

export function RedeployCard({
  api,
  changed,
  onDeployed,
}: {
  api: ExtensionApi;
  changed: boolean;
  onDeployed: () => void;
}) {
  const [message, setMessage] = useState<{ type: "success" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const redeploy = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const { buildId } = await api.redeploy();
      setMessage({ type: "success", text: `Deploy started${buildId ? ` (build ${buildId})` : ""}.` });
      onDeployed();
    } catch (error) {
      setMessage({ type: "error", text: `The deploy could not be started: ${messageOf(error)}` });
    } finally {
      setBusy(false);
    }
  };

  if (!changed && !message) return null;
  return (
    <Card>
      <CardTitle as="h3">Deploy to apply</CardTitle>
      {changed && (
        <Alert type="warn">
          Saved. Your site&apos;s functions use the new settings from its next deploy.
        </Alert>
      )}
      {message && <Alert type={message.type}>{message.text}</Alert>}
      {changed && (
        <Button onClick={() => void redeploy()} loading={busy}>
          Redeploy now
        </Button>
      )}
    </Card>
  );
}
