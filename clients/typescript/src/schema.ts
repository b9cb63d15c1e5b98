// Types of the platform API, generated from openapi/gateway.json by openapi-typescript (`npm run openapi:gen`): do not edit.
export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the process is up (no dependency checks) */
        get: operations["liveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/startupz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Startup: migrations and initialisation are done */
        get: operations["startup"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: started, not draining, own checks pass (a shared dependency's outage is 200 "degraded") */
        get: operations["readiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the caller's orders, newest first
         * @description Cursor pagination: follow `nextCursor` until it is null. Scope `orders:read`; `orders:admin` lists every order.
         *
         *     At the gateway: a user token with any of `orders:read`.
         */
        get: operations["listOrders"];
        put?: never;
        /**
         * Place an order
         * @description Creates an order for the caller. Requires scope `orders:write` and an Idempotency-Key.
         *
         *     At the gateway: a user token with any of `orders:write`.
         */
        post: operations["placeOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel one of the caller's orders
         * @description Only a placed order can be cancelled (409 otherwise). Requires scope `orders:write` and an Idempotency-Key.
         *
         *     At the gateway: a user token with any of `orders:write`.
         */
        post: operations["cancelOrder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/orders/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get one of the caller's orders
         * @description Another customer's order is 404. Scope `orders:read`; `orders:admin` may read every order.
         *
         *     At the gateway: a user token with any of `orders:read`.
         */
        get: operations["getOrder"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the caller's notifications, newest first
         * @description Only the caller's own notifications. Cursor pagination: follow `nextCursor` until it is null. Scope `notifications:read`.
         *
         *     At the gateway: a user token with any of `notifications:read`.
         */
        get: operations["listNotifications"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications/dead-letters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List dead letters, oldest first
         * @description Events the worker gave up on (a permanent failure, or a transient one on the last allowed delivery), as stored in the DLQ stream. Cursor pagination: follow `nextCursor` until it is null. Scope `notifications:admin`.
         *
         *     At the gateway: a user token with any of `notifications:admin`.
         */
        get: operations["listDeadLetters"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications/dead-letters/{seq}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Inspect one dead letter
         * @description The full original message (payload, headers), the error, the attempt count and the times. Scope `notifications:admin`.
         *
         *     At the gateway: a user token with any of `notifications:admin`.
         */
        get: operations["getDeadLetter"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications/dead-letters/{seq}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Replay one dead letter to its original subject
         * @description Publishes the original payload and headers to the original subject with a new message id, then removes the dead letter. The event id is unchanged, so the idempotent consumer never applies an event twice; repeating the call is safe (404 once it is gone). Scope `notifications:admin`.
         *
         *     At the gateway: a user token with any of `notifications:admin`.
         */
        post: operations["replayDeadLetter"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications/dead-letters/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Replay dead letters, oldest first, up to a limit per call
         * @description Replays up to `limit` dead letters as the single replay does and reports each outcome; call again while `more` is true. Scope `notifications:admin`.
         *
         *     At the gateway: a user token with any of `notifications:admin`.
         */
        post: operations["replayAllDeadLetters"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the models in the registry
         * @description Every configured model: its name, protocol, readiness and limits. Readable by OpenAI clients (`object: list`, `data[].id`).
         *
         *     At the gateway: a user token with any of `inference:invoke`.
         */
        get: operations["listModels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{model}/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Whether a model can take calls now
         * @description Ready when one of its model servers passed its last readiness check and its circuit is not open (no call to a model server).
         *
         *     At the gateway: a user token with any of `inference:invoke`.
         */
        get: operations["getModelReady"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{model}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * A model's metadata, from its model server
         * @description At the gateway: a user token with any of `inference:invoke`.
         */
        get: operations["getModelMetadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models/{model}/infer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run an inference (Open Inference Protocol v2)
         * @description Validated here (unique input names, datatypes, shapes against element counts, element types, the model's element and body caps), then forwarded to a model server's `/v2/models/{name}/infer`. The request `id` is echoed.
         *
         *     At the gateway: a user token with any of `inference:invoke`.
         */
        post: operations["infer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Chat completion (OpenAI-compatible), optionally streamed
         * @description Routed by `model` to one of its model servers. With `stream: true` the answer is Server-Sent Events passed through unbuffered; once streaming began, a failure ends the stream with an error event (never a silent truncation).
         *
         *     At the gateway: a user token with any of `inference:invoke`.
         */
        post: operations["createChatCompletion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/embeddings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Embeddings (OpenAI-compatible)
         * @description At the gateway: a user token with any of `inference:invoke`.
         */
        post: operations["createEmbeddings"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ProbeStatus: {
            /** @enum {string} */
            status: "ok" | "degraded" | "unavailable" | "draining" | "starting";
            checks?: {
                [key: string]: string;
            };
        };
        Problem: {
            /** @description URI identifying the problem type (urn:problem-type:<code>) */
            type: string;
            title: string;
            status: number;
            /**
             * @description Stable machine-readable error code
             * @enum {string}
             */
            code: "bad_request" | "invalid_json" | "invalid_parameter" | "idempotency_key_missing" | "idempotency_key_invalid" | "unauthorized" | "insufficient_scope" | "not_found" | "method_not_allowed" | "idempotency_key_in_flight" | "invalid_state_transition" | "payload_too_large" | "unsupported_media_type" | "validation_failed" | "idempotency_key_reused" | "amount_overflow" | "request_header_too_large" | "rate_limited" | "internal_error" | "bad_gateway" | "service_unavailable" | "upstream_timeout" | "database_unavailable" | "database_timeout" | "dead_letter_not_replayable" | "model_not_found" | "inference_rejected" | "client_closed_request" | "backend_error" | "backend_response_too_large" | "model_unavailable" | "backend_connect_timeout" | "backend_first_byte_timeout" | "backend_idle_timeout" | "backend_total_timeout";
            detail?: string;
            instance?: string;
            request_id?: string;
            /** @description Field-level validation problems */
            errors?: {
                path: string;
                message: string;
            }[];
            /** @description Only on the OpenAI-compatible paths (/v1/chat/completions, /v1/embeddings, /v1/models): the same problem as an OpenAI error object (message = detail, code = code, param = the first field named in errors), the member OpenAI's SDKs read */
            error?: {
                message: string;
                type: string;
                param: string | null;
                code: string;
            };
        };
        /**
         * @example {
         *       "id": "0192f1b4-7c1e-7000-8000-0000000000a1",
         *       "customerId": "customer-123",
         *       "status": "placed",
         *       "currency": "EUR",
         *       "items": [
         *         {
         *           "sku": "BOOK-42",
         *           "quantity": 2,
         *           "unitPriceCents": 1250,
         *           "lineTotalCents": 2500
         *         }
         *       ],
         *       "totalCents": 2500,
         *       "createdAt": "2026-11-21T12:00:00.000Z",
         *       "updatedAt": "2026-11-21T12:00:00.000Z",
         *       "cancelledAt": null
         *     }
         */
        Order: {
            /** Format: uuid */
            id: string;
            customerId: string;
            /** @enum {string} */
            status: "placed" | "cancelled";
            currency: components["schemas"]["Currency"];
            items: components["schemas"]["OrderItem"][];
            totalCents: number;
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            updatedAt: string;
            /** Format: date-time */
            cancelledAt: string | null;
        };
        /**
         * @description Active ISO 4217 currency code, upper case (fund and precious-metal codes excluded)
         * @example EUR
         * @enum {string}
         */
        Currency: "AED" | "AFN" | "ALL" | "AMD" | "AOA" | "ARS" | "AUD" | "AWG" | "AZN" | "BAM" | "BBD" | "BDT" | "BGN" | "BHD" | "BIF" | "BMD" | "BND" | "BOB" | "BRL" | "BSD" | "BTN" | "BWP" | "BYN" | "BZD" | "CAD" | "CDF" | "CHF" | "CLP" | "CNY" | "COP" | "CRC" | "CUP" | "CVE" | "CZK" | "DJF" | "DKK" | "DOP" | "DZD" | "EGP" | "ERN" | "ETB" | "EUR" | "FJD" | "FKP" | "GBP" | "GEL" | "GHS" | "GIP" | "GMD" | "GNF" | "GTQ" | "GYD" | "HKD" | "HNL" | "HTG" | "HUF" | "IDR" | "ILS" | "INR" | "IQD" | "IRR" | "ISK" | "JMD" | "JOD" | "JPY" | "KES" | "KGS" | "KHR" | "KMF" | "KPW" | "KRW" | "KWD" | "KYD" | "KZT" | "LAK" | "LBP" | "LKR" | "LRD" | "LSL" | "LYD" | "MAD" | "MDL" | "MGA" | "MKD" | "MMK" | "MNT" | "MOP" | "MRU" | "MUR" | "MVR" | "MWK" | "MXN" | "MYR" | "MZN" | "NAD" | "NGN" | "NIO" | "NOK" | "NPR" | "NZD" | "OMR" | "PAB" | "PEN" | "PGK" | "PHP" | "PKR" | "PLN" | "PYG" | "QAR" | "RON" | "RSD" | "RUB" | "RWF" | "SAR" | "SBD" | "SCR" | "SDG" | "SEK" | "SGD" | "SHP" | "SLE" | "SOS" | "SRD" | "SSP" | "STN" | "SVC" | "SYP" | "SZL" | "THB" | "TJS" | "TMT" | "TND" | "TOP" | "TRY" | "TTD" | "TWD" | "TZS" | "UAH" | "UGX" | "USD" | "UYU" | "UZS" | "VED" | "VES" | "VND" | "VUV" | "WST" | "XAF" | "XCD" | "XCG" | "XOF" | "XPF" | "YER" | "ZAR" | "ZMW" | "ZWG";
        OrderItem: {
            sku: string;
            quantity: number;
            unitPriceCents: number;
            lineTotalCents: number;
        };
        /**
         * @example {
         *       "currency": "EUR",
         *       "items": [
         *         {
         *           "sku": "BOOK-42",
         *           "quantity": 2,
         *           "unitPriceCents": 1250
         *         }
         *       ]
         *     }
         */
        PlaceOrderRequest: {
            currency: components["schemas"]["Currency"];
            items: components["schemas"]["OrderItemInput"][];
        };
        OrderItemInput: {
            sku: string;
            quantity: number;
            /** @description Price of one unit in the currency's minor unit (integer) */
            unitPriceCents: number;
        };
        OrderList: {
            items: components["schemas"]["Order"][];
            /** @description Pass as `cursor` to get the next page; null on the last page */
            nextCursor: string | null;
        };
        NotificationList: {
            items: components["schemas"]["Notification"][];
            /** @description Pass as `cursor` to get the next page; null on the last page */
            nextCursor: string | null;
        };
        /**
         * @example {
         *       "id": "0192f1b4-7c1e-7000-8000-0000000000b1",
         *       "eventId": "0192f1b4-7c1e-7000-8000-0000000000a2",
         *       "type": "order.placed",
         *       "customerId": "customer-123",
         *       "orderId": "0192f1b4-7c1e-7000-8000-0000000000a1",
         *       "title": "Order placed",
         *       "message": "Your order 0192f1b4-7c1e-7000-8000-0000000000a1 (3 items, €26.99) was placed.",
         *       "channel": "webhook",
         *       "eventTime": "2026-11-21T12:00:00.000Z",
         *       "createdAt": "2026-11-21T12:00:00.120Z"
         *     }
         */
        Notification: {
            /** Format: uuid */
            id: string;
            /**
             * Format: uuid
             * @description The order event this notification is about
             */
            eventId: string;
            /**
             * @description The event type
             * @example order.placed
             */
            type: string;
            customerId: string;
            /** Format: uuid */
            orderId: string;
            title: string;
            message: string;
            /** @description Where it was delivered: log or webhook */
            channel: string;
            /**
             * Format: date-time
             * @description When the event happened
             */
            eventTime: string;
            /**
             * Format: date-time
             * @description When the notification was delivered and recorded
             */
            createdAt: string;
        };
        DeadLetterList: {
            items: components["schemas"]["DeadLetterSummary"][];
            /** @description Pass as `cursor` to get the next page; null on the last page */
            nextCursor: string | null;
        };
        DeadLetterSummary: {
            /** @description Sequence of the dead letter in the DLQ stream: its id in this API */
            seq: number;
            /**
             * Format: date-time
             * @description When the dead letter was stored
             */
            storedAt: string;
            /**
             * @description The original subject (a replay publishes there)
             * @example orders.placed
             */
            subject: string;
            /**
             * @description The original stream
             * @example ORDERS
             */
            stream: string;
            /** @description The original message's sequence in its stream */
            streamSeq: number;
            /** @description The original message id (Nats-Msg-Id) */
            messageId: string | null;
            /** @description The event id, when the payload had one */
            eventId: string | null;
            /** @description Why the message was dead-lettered */
            error: string;
            /** @description Deliveries made, the failing one included */
            attempts: number;
            /**
             * Format: date-time
             * @description When the original message was published
             */
            publishedAt: string;
            /**
             * Format: date-time
             * @description First delivery attempt seen by the worker that dead-lettered it (null when unknown)
             */
            firstAttemptAt: string | null;
            /** Format: date-time */
            deadAt: string;
        };
        DeadLetter: components["schemas"]["DeadLetterSummary"] & {
            /** @example notifications */
            consumer: string;
            /** @description The original headers */
            headers: {
                [key: string]: string;
            };
            /** @description The original bytes: UTF-8 text, or base64 when `encoding` is base64 */
            payload: string;
            /** @enum {string} */
            encoding: "utf-8" | "base64";
            /** @description True when only the start of the payload could be stored (the message was too large); such a dead letter cannot be replayed, the original is message `streamSeq` of `stream` */
            truncated: boolean;
        };
        ReplayResult: {
            /** @description The dead letter that was replayed (now removed from the DLQ) */
            seq: number;
            subject: string;
            /** @description Id of the replayed message: `<original id>:replay:<seq>` */
            messageId: string;
            stream: string;
            /** @description Sequence of the replayed message in its stream */
            streamSeq: number;
            /** @description True when this dead letter had been replayed moments before (the broker kept the first copy) */
            duplicate: boolean;
            /** @description False when removing it from the DLQ failed; replaying it again is safe */
            removed: boolean;
        };
        ReplayAllResult: {
            replayed: number;
            failed: number;
            results: {
                seq: number;
                /** @enum {string} */
                status: "replayed" | "failed";
                messageId?: string;
                error?: string;
            }[];
            /** @description True when more dead letters were waiting beyond this call's limit */
            more: boolean;
        };
        ModelList: {
            /** @enum {string} */
            object: "list";
            data: components["schemas"]["ModelEntry"][];
        };
        ModelEntry: {
            /** @description The public model name (as OpenAI clients read it) */
            id: string;
            /** @enum {string} */
            object: "model";
            owned_by: string;
            name: string;
            /** @enum {string} */
            protocol: "oip-v2" | "openai";
            /** @description A backend passed its last readiness check and its circuit is not open */
            ready: boolean;
            limits: components["schemas"]["ModelLimits"];
        };
        ModelLimits: {
            connect_timeout_ms: number;
            first_byte_timeout_ms: number;
            idle_timeout_ms: number;
            total_timeout_ms: number;
            max_concurrency: number;
            queue_size: number;
            max_request_bytes: number;
            max_response_bytes: number;
        };
        ModelReady: {
            name: string;
            ready: boolean;
        };
        /** @description OIP models: the model server's metadata; OpenAI models: the server's model object (name added) */
        ModelMetadata: {
            name: string;
            versions?: string[];
            platform?: string;
            inputs?: ({
                name: string;
                datatype: string;
                shape: number[];
            } & {
                [key: string]: unknown;
            })[];
            outputs?: ({
                name: string;
                datatype: string;
                shape: number[];
            } & {
                [key: string]: unknown;
            })[];
        } & {
            [key: string]: unknown;
        };
        InferenceResponse: {
            model_name: string;
            model_version?: string;
            id?: string;
            parameters?: components["schemas"]["InferenceParameters"];
            outputs: components["schemas"]["InferenceOutputTensor"][];
        } & {
            [key: string]: unknown;
        };
        /** @description Free-form parameters: string, number or boolean values */
        InferenceParameters: {
            [key: string]: string | number | boolean;
        };
        InferenceOutputTensor: {
            name: string;
            shape: number[];
            datatype: string;
            parameters?: components["schemas"]["InferenceParameters"];
            data: unknown[];
        } & {
            [key: string]: unknown;
        };
        /** @description Besides the schema, each input tensor must agree with itself (422 validation_failed otherwise): input names are unique, `data` holds exactly the product of `shape` elements, and each element fits `datatype` (BOOL booleans, BYTES strings, integers in range). */
        InferenceRequest: {
            id?: string;
            parameters?: components["schemas"]["InferenceParameters"];
            inputs: components["schemas"]["InferenceInputTensor"][];
            outputs?: {
                name: string;
                parameters?: components["schemas"]["InferenceParameters"];
            }[];
        };
        InferenceInputTensor: {
            name: string;
            shape: number[];
            /** @enum {string} */
            datatype: "BOOL" | "UINT8" | "UINT16" | "UINT32" | "UINT64" | "INT8" | "INT16" | "INT32" | "INT64" | "FP16" | "FP32" | "FP64" | "BF16" | "BYTES";
            parameters?: components["schemas"]["InferenceParameters"];
            /** @description Elements in row-major order, flat or nested; BYTES as strings, BOOL as booleans */
            data: unknown[];
        };
        ChatCompletion: {
            id: string;
            object: string;
            created?: number;
            model: string;
            choices: ({
                index: number;
            } & {
                [key: string]: unknown;
            })[];
            usage?: {
                prompt_tokens: number;
                completion_tokens: number;
                total_tokens: number;
            } & {
                [key: string]: unknown;
            };
        } & {
            [key: string]: unknown;
        };
        /** @description An OpenAI chat completion request; fields other than model and stream go to the model server as sent */
        ChatCompletionRequest: {
            /**
             * @description A model from GET /v1/models with protocol `openai`
             * @example echo-chat
             */
            model: string;
            messages: ({
                role: string;
            } & {
                [key: string]: unknown;
            })[];
            /** @description true: Server-Sent Events, chunk by chunk, ending in `data: [DONE]` */
            stream?: boolean;
            max_tokens?: number;
        } & {
            [key: string]: unknown;
        };
        Embeddings: {
            object: string;
            data: ({
                object: string;
                index: number;
                embedding: number[] | string;
            } & {
                [key: string]: unknown;
            })[];
            model: string;
        } & {
            [key: string]: unknown;
        };
        EmbeddingsRequest: {
            /**
             * @description A model from GET /v1/models with protocol `openai`
             * @example echo-chat
             */
            model: string;
            input: string | string[] | number[] | number[][];
        } & {
            [key: string]: unknown;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    liveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Healthy */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProbeStatus"];
                };
            };
            /** @description A path, query or header parameter is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not healthy (yet, or any more) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProbeStatus"];
                };
            };
        };
    };
    startup: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Healthy */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProbeStatus"];
                };
            };
            /** @description A path, query or header parameter is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not healthy (yet, or any more) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProbeStatus"];
                };
            };
        };
    };
    readiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Healthy */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProbeStatus"];
                };
            };
            /** @description A path, query or header parameter is invalid */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not healthy (yet, or any more) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProbeStatus"];
                };
            };
        };
    };
    listOrders: {
        parameters: {
            query?: {
                /** @description Items per page, 1–100 */
                limit?: number;
                /** @description Opaque cursor from a previous page's nextCursor */
                cursor?: string;
                status?: "placed" | "cancelled";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of orders */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OrderList"];
                };
            };
            /** @description A path, query or header parameter is invalid; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database is temporarily unavailable; Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying (the database is temporarily unavailable) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database did not answer in time; Upstream timed out */
            504: {
                headers: {
                    /** @description Seconds to wait before retrying (the database is temporarily unavailable) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    placeOrder: {
        parameters: {
            query?: never;
            header: {
                /** @description Required. A unique key per logical request, scoped to the caller: e.g. a UUID; 1–255 visible ASCII characters without `"` or `\`, or an RFC 8941 Structured Field string (`"…"`, printable ASCII, `\"` and `\\` escaped) naming the same key as its content. Retrying with the same key and body returns the stored status and body byte for byte with `Idempotent-Replayed: true`; the same key with a different body is 422; while the first request is still running, 409 with Retry-After. Keys are kept 24 hours by default (IDEMPOTENCY_TTL_SECONDS); failed requests store nothing and may be retried with the same key. */
                "idempotency-key": string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PlaceOrderRequest"];
            };
        };
        responses: {
            /** @description Order placed */
            201: {
                headers: {
                    /** @description The new order: `/v1/orders/{id}` */
                    Location: string;
                    /** @description `true` when this is the stored response of an earlier request with the same key */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            /** @description Request body is not valid JSON; Idempotency-Key header is required; Idempotency-Key header is malformed; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A request with this Idempotency-Key is in progress */
            409: {
                headers: {
                    /** @description Seconds to wait before retrying (idempotency_key_in_flight) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body failed validation; Idempotency-Key was used with a different request; Amount exceeds the supported range */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database is temporarily unavailable; Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying (the database is temporarily unavailable) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database did not answer in time; Upstream timed out */
            504: {
                headers: {
                    /** @description Seconds to wait before retrying (the database is temporarily unavailable) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    cancelOrder: {
        parameters: {
            query?: never;
            header: {
                /** @description Required. A unique key per logical request, scoped to the caller: e.g. a UUID; 1–255 visible ASCII characters without `"` or `\`, or an RFC 8941 Structured Field string (`"…"`, printable ASCII, `\"` and `\\` escaped) naming the same key as its content. Retrying with the same key and body returns the stored status and body byte for byte with `Idempotent-Replayed: true`; the same key with a different body is 422; while the first request is still running, 409 with Retry-After. Keys are kept 24 hours by default (IDEMPOTENCY_TTL_SECONDS); failed requests store nothing and may be retried with the same key. */
                "idempotency-key": string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Order cancelled */
            200: {
                headers: {
                    /** @description `true` when this is the stored response of an earlier request with the same key */
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            /** @description A path, query or header parameter is invalid; Idempotency-Key header is required; Idempotency-Key header is malformed; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A request with this Idempotency-Key is in progress; The resource's state does not allow this action */
            409: {
                headers: {
                    /** @description Seconds to wait before retrying (idempotency_key_in_flight) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Idempotency-Key was used with a different request */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database is temporarily unavailable; Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying (the database is temporarily unavailable) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database did not answer in time; Upstream timed out */
            504: {
                headers: {
                    /** @description Seconds to wait before retrying (the database is temporarily unavailable) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getOrder: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Order"];
                };
            };
            /** @description A path, query or header parameter is invalid; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database is temporarily unavailable; Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying (the database is temporarily unavailable) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database did not answer in time; Upstream timed out */
            504: {
                headers: {
                    /** @description Seconds to wait before retrying (the database is temporarily unavailable) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listNotifications: {
        parameters: {
            query?: {
                /** @description Items per page, 1–100 */
                limit?: number;
                /** @description Opaque cursor from a previous page's nextCursor */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of notifications */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NotificationList"];
                };
            };
            /** @description A path, query or header parameter is invalid; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database is temporarily unavailable; Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying (the database is temporarily unavailable) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The database did not answer in time; Upstream timed out */
            504: {
                headers: {
                    /** @description Seconds to wait before retrying (the database is temporarily unavailable) */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listDeadLetters: {
        parameters: {
            query?: {
                /** @description Items per page, 1–100 */
                limit?: number;
                /** @description Opaque cursor from a previous page's nextCursor */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of dead letters */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadLetterList"];
                };
            };
            /** @description A path, query or header parameter is invalid; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream timed out */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getDeadLetter: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The dead letter's DLQ sequence */
                seq: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The dead letter */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadLetter"];
                };
            };
            /** @description A path, query or header parameter is invalid; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The dead letter cannot be replayed */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream timed out */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    replayDeadLetter: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The dead letter's DLQ sequence */
                seq: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Replayed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReplayResult"];
                };
            };
            /** @description A path, query or header parameter is invalid; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The dead letter cannot be replayed */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream timed out */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    replayAllDeadLetters: {
        parameters: {
            query?: {
                /** @description Dead letters replayed by this call at most, oldest first */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What was replayed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReplayAllResult"];
                };
            };
            /** @description A path, query or header parameter is invalid; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Internal server error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream timed out */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listModels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The registry */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelList"];
                };
            };
            /** @description A path, query or header parameter is invalid; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream timed out */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getModelReady: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A model name from GET /v1/models, matched exactly */
                model: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelReady"];
                };
            };
            /** @description A path, query or header parameter is invalid; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such model; Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not ready; Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelReady"];
                };
            };
            /** @description Upstream timed out */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getModelMetadata: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A model name from GET /v1/models, matched exactly */
                model: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The model server's metadata */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelMetadata"];
                };
            };
            /** @description A path, query or header parameter is invalid; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such model; Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The model server failed or answered badly; The model server's response exceeds the limit; Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model server can take the request now; Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The model server did not accept a connection in time; The model server did not start answering in time; The model server went silent mid-answer; The model call exceeded its total time limit; Upstream timed out */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    infer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A model name from GET /v1/models, matched exactly */
                model: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["InferenceRequest"];
            };
        };
        responses: {
            /** @description The model's outputs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["InferenceResponse"];
                };
            };
            /** @description A path, query or header parameter is invalid; Request body is not valid JSON; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such model; Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body failed validation; The model server refused the request */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The model server failed or answered badly; The model server's response exceeds the limit; Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model server can take the request now; Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The model server did not accept a connection in time; The model server did not start answering in time; The model server went silent mid-answer; The model call exceeded its total time limit; Upstream timed out */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createChatCompletion: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChatCompletionRequest"];
            };
        };
        responses: {
            /** @description The completion, or its event stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatCompletion"];
                    "text/event-stream": string;
                };
            };
            /** @description A path, query or header parameter is invalid; Request body is not valid JSON; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such model; Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body failed validation; The model server refused the request */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The model server failed or answered badly; The model server's response exceeds the limit; Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model server can take the request now; Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The model server did not accept a connection in time; The model server did not start answering in time; The model server went silent mid-answer; The model call exceeded its total time limit; Upstream timed out */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createEmbeddings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EmbeddingsRequest"];
            };
        };
        responses: {
            /** @description The embeddings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Embeddings"];
                };
            };
            /** @description A path, query or header parameter is invalid; Request body is not valid JSON; Bad request */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Authentication required */
            401: {
                headers: {
                    /** @description Bearer challenge (RFC 6750) */
                    "WWW-Authenticate"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Token lacks a required scope */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No such model; Resource not found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body too large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unsupported media type */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request body failed validation; The model server refused the request */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Too many requests */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    /** @description Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2` */
                    RateLimit?: string;
                    /** @description The route group's quota per window, e.g. `"orders";q=100;w=2` */
                    "RateLimit-Policy"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Request header fields too large */
            431: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The model server failed or answered badly; The model server's response exceeds the limit; Upstream answered badly */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No model server can take the request now; Service unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before retrying */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The model server did not accept a connection in time; The model server did not start answering in time; The model server went silent mid-answer; The model call exceeded its total time limit; Upstream timed out */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
