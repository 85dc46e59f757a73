/** The dashboard shell: hash routes, navigation, the session, sign out. */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import "./styles.css";
import { shortAddress } from "./format.js";
import { clearResources } from "./resource.js";
import { currentSession, forgetSession, onSessionChange } from "./session.js";
import { ActivityPage } from "./pages/activity.js";
import { ByokPage } from "./pages/byok.js";
import { CreditsPage } from "./pages/credits.js";
import { KeysPage } from "./pages/keys.js";
import { ModelsPage } from "./pages/models.js";
import { PlaygroundPage } from "./pages/playground.js";
import { RankingsPage } from "./pages/rankings.js";
import { SignInPage } from "./pages/sign-in.js";

const PAGES = [
  { path: "credits", title: "Credits", signedIn: true },
  { path: "keys", title: "Keys", signedIn: true },
  { path: "byok", title: "Your provider keys", signedIn: true },
  { path: "activity", title: "Activity", signedIn: true },
  { path: "playground", title: "Playground", signedIn: false },
  { path: "models", title: "Models", signedIn: false },
  { path: "rankings", title: "Rankings", signedIn: false },
] as const;

/** `#/activity?generation=gen-1` → ["activity", {generation: "gen-1"}]. */
function parseHash(): [string, URLSearchParams] {
  const [path = "", query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  return [path, new URLSearchParams(query)];
}

function useHash(): [string, URLSearchParams] {
  const [hash, setHash] = useState(parseHash);
  useEffect(() => {
    const onChange = () => setHash(parseHash());
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return hash;
}

function useSession() {
  const [session, setSession] = useState(currentSession);
  useEffect(() => onSessionChange(() => setSession(currentSession())), []);
  return session;
}

function App() {
  const session = useSession();
  const [path, query] = useHash();
  const page = PAGES.find((p) => p.path === path);
  const needsSignIn = !page || (page.signedIn && !session);
  useEffect(() => {
    document.title = `${needsSignIn ? "Sign in" : page.title} · farebox`;
    document.querySelector("main")?.focus();
  }, [path, needsSignIn]);
  const signOut = () => {
    forgetSession();
    clearResources();
    location.hash = "#/";
  };
  return (
    <>
      <header>
        <a class="brand" href="#/credits">
          farebox
        </a>
        <nav aria-label="Dashboard">
          {PAGES.filter((p) => session || !p.signedIn).map((p) => (
            <a href={`#/${p.path}`} aria-current={p.path === path ? "page" : undefined} key={p.path}>
              {p.title}
            </a>
          ))}
        </nav>
        {session ? (
          <div class="who">
            <code title={session.wallet.address}>{shortAddress(session.wallet.address)}</code>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </div>
        ) : null}
      </header>
      <main tabIndex={-1}>
        {needsSignIn ? <SignInPage /> : <Page path={page.path} query={query} />}
      </main>
    </>
  );
}

function Page({ path, query }: { path: string; query: URLSearchParams }) {
  switch (path) {
    case "credits":
      return <CreditsPage />;
    case "keys":
      return <KeysPage />;
    case "byok":
      return <ByokPage />;
    case "activity":
      return <ActivityPage generation={query.get("generation") ?? undefined} />;
    case "playground":
      return <PlaygroundPage />;
    case "models":
      return <ModelsPage />;
    default:
      return <RankingsPage />;
  }
}

render(<App />, document.getElementById("app")!);
