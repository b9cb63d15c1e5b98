// Bundled for the browser by browser-chat.test.ts: OpenAI's SDK on the page, as a frontend would ship it.
import OpenAI from "openai";

(globalThis as unknown as { OpenAI: typeof OpenAI }).OpenAI = OpenAI;
