// CloudEvents-shaped envelope every event on the platform travels in (id doubles as Nats-Msg-Id).
import { z } from "zod";

export const envelopeSchema = <T extends z.ZodType>(type: string, data: T) =>
  z.object({
    specversion: z.literal("1.0"),
    id: z.uuid(),
    type: z.literal(type),
    source: z.string().min(1),
    time: z.iso.datetime({ offset: true }),
    datacontenttype: z.literal("application/json"),
    data,
  });

export interface Envelope<T> {
  specversion: "1.0";
  id: string;
  type: string;
  source: string;
  time: string;
  datacontenttype: "application/json";
  data: T;
}

export function createEnvelope<T>(input: { id: string; type: string; source: string; time: Date; data: T }): Envelope<T> {
  return {
    specversion: "1.0",
    id: input.id,
    type: input.type,
    source: input.source,
    time: input.time.toISOString(),
    datacontenttype: "application/json",
    data: input.data,
  };
}
