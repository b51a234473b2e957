/**
 * The site configuration surface: the site's events first, then its configuration (Upstash
 * credentials, API keys, defaults), as two headed sections of one page. It loads the settings once
 * and hands each card the latest copy and a way to replace it.
 */
import { Alert, Button, Card, CardLoader, SiteConfigurationSurface } from "@netlify/sdk/ui/react/components";
import { useCallback, useEffect, useState } from "react";
import { ApiKeysCard } from "./api-keys-card.tsx";
import { DefaultsCard } from "./defaults-card.tsx";
import { EventsSection } from "./events-section.tsx";
import { messageOf, type Settings } from "./extension-api.ts";
import { RedeployCard } from "./redeploy-card.tsx";
import { UpstashCard } from "./upstash-card.tsx";
import { useExtensionApi } from "./use-extension-api.ts";

function Configuration() {
  const api = useExtensionApi();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Site variables reach the site's functions with its next deploy: after a change, say so.
  const [changed, setChanged] = useState(false);
  const saved = (next: Settings) => {
    setSettings(next);
    setChanged(true);
  };
  const keysChanged = async () => {
    setChanged(true);
    await load();
  };

  const load = useCallback(async () => {
    try {
      setSettings(await api.getSettings());
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    }
  }, [api]);
  useEffect(() => void load(), [load]);

  if (error && !settings) {
    return (
      <Card>
        <Alert type="error">The configuration could not be loaded: {error}</Alert>
        <Button onClick={() => void load()}>Try again</Button>
      </Card>
    );
  }
  if (!settings) return <CardLoader />;
  return (
    <>
      <RedeployCard api={api} changed={changed} onDeployed={() => setChanged(false)} />
      <UpstashCard api={api} settings={settings} onSaved={saved} />
      <ApiKeysCard api={api} settings={settings} onChanged={keysChanged} />
      <DefaultsCard api={api} settings={settings} onSaved={saved} />
    </>
  );
}

export function SiteConfiguration() {
  return (
    <SiteConfigurationSurface>
      {/* The events views bring their own top-level heading ("Events"); Configuration matches it. */}
      <section aria-label="Events" className="awl-section">
        <EventsSection />
      </section>
      <section aria-labelledby="awl-configuration-heading" className="awl-section">
        <h1 id="awl-configuration-heading" className="awl-section-heading">
          Configuration
        </h1>
        <Configuration />
      </section>
    </SiteConfigurationSurface>
  );
}
