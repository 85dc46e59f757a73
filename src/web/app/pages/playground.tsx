/** Playground: pick a model, chat with one of your own inference keys, watch it stream, see its cost. */
import { useRef, useState } from "preact/hooks";
import { count, usd } from "../format.js";
import { useResource } from "../resource.js";
import { streamChat, type StreamUpdate } from "../chat-stream.js";
import { useAction } from "../ui/action.js";
import { Busy, ErrorLine } from "../ui/status.js";
import type { ModelEntry } from "./models.js";

const KEY_STORAGE = "farebox.playground-key";

export function PlaygroundPage() {
  const models = useResource<{ data: ModelEntry[] }>("/api/v1/models", { key: null });
  const [model, setModel] = useState("");
  const [key, setKey] = useState(() => sessionStorage.getItem(KEY_STORAGE) ?? "");
  const [prompt, setPrompt] = useState("");
  const [turns, setTurns] = useState<{ role: string; content: string }[]>([]);
  const [answer, setAnswer] = useState<StreamUpdate>();
  const abort = useRef<AbortController>();
  const action = useAction();
  const chosen = model || models.data?.data[0]?.id || "";
  const send = (event: Event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORAGE, key.trim());
    const messages = [...turns, { role: "user", content: prompt }];
    setTurns(messages);
    setPrompt("");
    setAnswer({ text: "" });
    abort.current = new AbortController();
    void action.run(async () => {
      const final = await streamChat(key.trim(), chosen, messages, setAnswer, abort.current!.signal);
      setTurns([...messages, { role: "assistant", content: final.text }]);
      setAnswer(final);
    });
  };
  return (
    <section>
      <h1>Playground</h1>
      <p>Chats are sent with one of your inference keys (create one under Keys) and charged like any request.</p>
      <ErrorLine message={models.error} />
      <form class="card" onSubmit={send}>
        <div class="row">
          <label>
            Model
            <select value={chosen} onChange={(e) => setModel(e.currentTarget.value)} data-test="model">
              {models.data?.data.map((m) => (
                <option value={m.id} key={m.id}>
                  {m.name} ({m.id})
                </option>
              ))}
            </select>
          </label>
          <label>
            Inference key
            <input type="password" value={key} onInput={(e) => setKey(e.currentTarget.value)} required placeholder="sk-fb-v1-…" autoComplete="off" />
          </label>
        </div>
        <ol class="chat" data-test="chat">
          {turns.map((turn, i) => (
            <li class={turn.role} key={i}>
              {turn.content}
            </li>
          ))}
          {action.busy && answer ? (
            <li class="assistant" data-test="streaming">
              {answer.text}
            </li>
          ) : null}
        </ol>
        <label>
          Message
          <textarea value={prompt} onInput={(e) => setPrompt(e.currentTarget.value)} required rows={3} />
        </label>
        <div class="row">
          <button disabled={action.busy || !chosen}>Send</button>
          {action.busy ? (
            <button type="button" onClick={() => abort.current?.abort()}>
              Stop
            </button>
          ) : null}
          {turns.length > 0 && !action.busy ? (
            <button type="button" onClick={() => (setTurns([]), setAnswer(undefined))}>
              New chat
            </button>
          ) : null}
        </div>
        <Busy when={action.busy}>Streaming…</Busy>
        <ErrorLine message={action.error} />
        {!action.busy && answer?.cost !== undefined ? (
          <p data-test="cost">
            This answer cost {usd(answer.cost)} ({count(answer.tokens?.prompt)} prompt + {count(answer.tokens?.completion)} completion tokens)
            {answer.generationId ? <> · <a href={`#/activity?generation=${encodeURIComponent(answer.generationId)}`}>details</a></> : null}
          </p>
        ) : null}
      </form>
    </section>
  );
}
