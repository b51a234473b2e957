/**
 * The Upstash credentials card: the Redis REST URL and token and the QStash URL, token and signing
 * keys. "Test connection" asks the endpoint to really call Redis and QStash with what is typed and
 * reports each one (a failure goes under the field it names); "Save" makes the endpoint test again
 * and store them only when both answer. Stored secrets are never sent back: the form shows only
 * their last 4 characters, and saving asks for all of them again.
 */
import {
  Alert,
  Button,
  Card,
  CardTitle,
  Form,
  FormField,
  FormFieldSecret,
} from "@netlify/sdk/ui/react/components";
import { useState } from "react";
import {
  ExtensionApiError,
  messageOf,
  type ConnectionCheck,
  type ConnectionReport,
  type ExtensionApi,
  type SecretInfo,
  type Settings,
  type UpstashCredentials,
} from "./extension-api.ts";

type SecretField = keyof Settings["upstash"]["secrets"];

const SECRET_FIELDS: { name: SecretField; label: string }[] = [
  { name: "redisRestToken", label: "Redis REST token" },
  { name: "qstashToken", label: "QStash token" },
  { name: "qstashCurrentSigningKey", label: "QStash current signing key" },
  { name: "qstashNextSigningKey", label: "QStash next signing key" },
];

type FormValues = Required<UpstashCredentials>;

/** What the form sends: a blank QStash URL means the endpoint's default (Upstash's). */
function credentialsOf(values: FormValues): UpstashCredentials {
  const { qstashUrl, ...rest } = values;
  return qstashUrl.trim() ? { ...rest, qstashUrl } : rest;
}

function secretHelp(info: SecretInfo): string {
  return info.set && info.last4
    ? `Saved value ends in ${info.last4}. Enter it again to save changes.`
    : "Not set yet.";
}

function CheckResult({ service, check }: { service: string; check: ConnectionCheck }) {
  return check.ok ? (
    <Alert type="success">
      {service}: connected. {check.detail}
    </Alert>
  ) : (
    <Alert type="error">
      {service} failed: {check.error}
    </Alert>
  );
}

export function UpstashCard({
  api,
  settings,
  onSaved,
}: {
  api: ExtensionApi;
  settings: Settings;
  onSaved: (settings: Settings) => void;
}) {
  const { upstash } = settings;
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [report, setReport] = useState<ConnectionReport | null>(null);
  const [message, setMessage] = useState<{ type: "success" | "error"; text: string } | null>(null);
  const [testing, setTesting] = useState(false);
  // Remounting the form after a save empties the secret fields: a stored secret is not shown again.
  const [formKey, setFormKey] = useState(0);

  const defaultValues: FormValues = {
    redisRestUrl: upstash.redisRestUrl ?? "",
    redisRestToken: "",
    qstashUrl: upstash.qstashUrl ?? "",
    qstashToken: "",
    qstashCurrentSigningKey: "",
    qstashNextSigningKey: "",
  };

  const test = async (values: FormValues) => {
    setTesting(true);
    setMessage(null);
    setReport(null);
    try {
      const result = await api.testUpstash(credentialsOf(values));
      setReport(result);
      const errors: Record<string, string> = {};
      for (const check of [result.redis, result.qstash]) if (!check.ok) errors[check.field] = check.error;
      setFieldErrors(errors);
    } catch (error) {
      setFieldErrors(error instanceof ExtensionApiError ? error.fieldErrors : {});
      setMessage({ type: "error", text: messageOf(error) });
    } finally {
      setTesting(false);
    }
  };

  const save = async (values: FormValues) => {
    setMessage(null);
    setReport(null);
    try {
      const saved = await api.saveUpstash(credentialsOf(values));
      setFieldErrors({});
      setFormKey((key) => key + 1);
      setMessage({
        type: "success",
        text: "Saved. Both services answered; the site uses these credentials from its next deploy.",
      });
      onSaved(saved);
    } catch (error) {
      setFieldErrors(error instanceof ExtensionApiError ? error.fieldErrors : {});
      setMessage({ type: "error", text: `Nothing was saved: ${messageOf(error)}` });
    }
  };

  const errorOf = (field: string) => (fieldErrors[field] ? { message: fieldErrors[field] } : undefined);

  return (
    <Card>
      <CardTitle as="h3">Upstash credentials</CardTitle>
      <p>
        From the Upstash console: your Redis database&apos;s REST API section, and QStash&apos;s request
        builder and signing keys.
      </p>
      <Form key={formKey} defaultValues={defaultValues} onSubmit={(values) => save(values as FormValues)}>
        {({ context }) => (
          <>
            <FormField
              name="redisRestUrl"
              label="Redis REST URL"
              placeholder="https://….upstash.io"
              error={errorOf("redisRestUrl")}
            />
            <FormFieldSecret
              {...SECRET_FIELDS[0]!}
              ariaLabelText={`${SECRET_FIELDS[0]!.label}. `}
              accessibleCopyName={SECRET_FIELDS[0]!.label}
              helpText={secretHelp(upstash.secrets.redisRestToken)}
              error={errorOf("redisRestToken")}
            />
            <FormField
              name="qstashUrl"
              label="QStash URL"
              placeholder="https://qstash.upstash.io"
              helpText="Leave empty for Upstash's QStash."
              error={errorOf("qstashUrl")}
            />
            {SECRET_FIELDS.slice(1).map((field) => (
              <FormFieldSecret
                key={field.name}
                {...field}
                ariaLabelText={`${field.label}. `}
                accessibleCopyName={field.label}
                helpText={secretHelp(upstash.secrets[field.name])}
                error={errorOf(field.name)}
              />
            ))}
            <div>
              <Button
                type="button"
                level="secondary"
                loading={testing}
                onClick={() => void test(context.getValues() as FormValues)}
              >
                Test connection
              </Button>
            </div>
            {report && (
              <div role="group" aria-label="Connection test">
                <CheckResult service="Redis" check={report.redis} />
                <CheckResult service="QStash" check={report.qstash} />
              </div>
            )}
            {message && <Alert type={message.type}>{message.text}</Alert>}
          </>
        )}
      </Form>
    </Card>
  );
}
