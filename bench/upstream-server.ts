/** A fake OpenAI upstream in its own process, for the benchmark; prints its URL as JSON. */
import { startFakeOpenAI } from "../test/support/fake-upstreams/index.js";

const fake = await startFakeOpenAI({ script: { text: "The quick brown fox jumps over the lazy dog.", usage: { prompt: 20, completion: 10 } } });
// Keep no request history: the benchmark sends hundreds of thousands of requests.
setInterval(() => fake.requests.splice(0, fake.requests.length), 1000).unref();
process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
process.on("SIGTERM", () => void fake.close().then(() => process.exit(0)));
