/**
 * The UI bundle's entry: the UI kit's styles, the events dashboard's, the surface's own, and the
 * app mounted on #root.
 * No StrictMode: the SDK's provider aborts its message channel when an effect is cleaned up, and
 * StrictMode's rehearsal unmount would close it before the host's initialize message arrives.
 */
import "@netlify/sdk/ui/react/core.css";
import "@awl/dashboard/styles.css";
import "./surface.css";
import { createRoot } from "react-dom/client";
import { App } from "./app.tsx";

createRoot(document.getElementById("root")!).render(<App />);
