// One line for a zod error, as every error answer of the model server words it: "path: message; path: message".
import type { z } from "zod";

export const zodMessage = (error: z.ZodError) => error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
