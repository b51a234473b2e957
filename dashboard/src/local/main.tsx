/**
 * The page `awl dev` serves (see dev/src/dashboard): the dashboard against the events API that
 * the same loopback server answers at /awl/api, which adds the API key itself, so the page holds none.
 */
import { createRoot } from "react-dom/client";
import { EventsApiClient } from "@awl/client/api-client";
import { EventsDashboard } from "../index.ts";
import "../styles.css";
import "./page.css";

const client = new EventsApiClient({ siteUrl: location.origin, basePath: "/awl/api" });
createRoot(document.getElementById("root")!).render(<EventsDashboard client={client} title="awl dev" />);
