/**
 * The defaults card: how long completed and dead-lettered events are kept, and how many times a
 * failed run is retried when its workload does not say. The endpoint validates them (a duration
 * `ms` understands, a whole number of retries); each refusal shows under its field.
 */
import { Alert, Card, CardTitle, Form, FormField } from "@netlify/sdk/ui/react/components";
import { useState } from "react";
import {
  ExtensionApiError,
  messageOf,
  type Defaults,
  type ExtensionApi,
  type Settings,
} from "./extension-api.ts";

export function DefaultsCard({
  api,
  settings,
  onSaved,
}: {
  api: ExtensionApi;
  settings: Settings;
  onSaved: (settings: Settings) => void;
}) {
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ type: "success" | "error"; text: string } | null>(null);

  const save = async (values: Defaults) => {
    setMessage(null);
    try {
      const saved = await api.saveDefaults({ ...values, maxRetries: Number(values.maxRetries) });
      setFieldErrors({});
      setMessage({ type: "success", text: "Defaults saved." });
      onSaved(saved);
    } catch (error) {
      setFieldErrors(error instanceof ExtensionApiError ? error.fieldErrors : {});
      setMessage({ type: "error", text: `Nothing was saved: ${messageOf(error)}` });
    }
  };

  const errorOf = (field: keyof Defaults) =>
    fieldErrors[field] ? { message: fieldErrors[field] } : undefined;

  return (
    <Card>
      <CardTitle as="h3">Defaults</CardTitle>
      <Form defaultValues={settings.defaults} onSubmit={(values) => save(values as Defaults)}>
        <FormField
          name="retentionCompleted"
          label="Keep completed events for"
          helpText='A duration such as "7 days" or "12h".'
          error={errorOf("retentionCompleted")}
        />
        <FormField
          name="retentionDeadLettered"
          label="Keep dead-lettered events for"
          helpText="Long enough to find and retry them."
          error={errorOf("retentionDeadLettered")}
        />
        <FormField
          name="maxRetries"
          type="number"
          label="Max retries"
          helpText="For workloads that do not set maxRetries themselves."
          error={errorOf("maxRetries")}
        />
        {message && <Alert type={message.type}>{message.text}</Alert>}
      </Form>
    </Card>
  );
}
