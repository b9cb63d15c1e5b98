// Strict mode for deploy:check (like kubeconform -strict): finds the fields an object's schema does not declare.
// The kubernetes-models schemas ship only as ajv-compiled code and declare no `additionalProperties: false`, so a typo
// in an optional field (`spec.replica`) passes them. Rather than re-deriving the schemas, the compiled validator runs on
// a recording proxy: a declared property is read by name (`data.replicas`), a map or a schema allowing extra fields
// enumerates its keys (`for (k in data)`), and a node the schema leaves opaque (RawExtension,
// x-kubernetes-preserve-unknown-fields) is not read at all. So on an object node the validator read by name but never
// enumerated, every key it did not read is undeclared.

interface Visit {
  read: Set<string>;
  enumerated: boolean;
}

export interface Recording {
  /** The proxy to hand to the validator in place of the object. */
  proxy: unknown;
  /** After validation: JSON pointers (/spec/replica) of the keys no schema declared. */
  unknownFields(): string[];
}

const isNode = (v: unknown): v is object => v !== null && typeof v === "object";

export function recordReads(root: object): Recording {
  const visits = new Map<object, Visit>();
  const proxies = new WeakMap<object, object>();
  const visit = (target: object) => {
    const known = visits.get(target);
    if (known) return known;
    const v: Visit = { read: new Set(), enumerated: false };
    visits.set(target, v);
    return v;
  };
  const wrap = (target: object): object => {
    const known = proxies.get(target);
    if (known) return known;
    const proxy = new Proxy(target, {
      get(t, key, receiver) {
        if (typeof key === "string") visit(t).read.add(key);
        const value = Reflect.get(t, key, receiver);
        return isNode(value) ? wrap(value) : value;
      },
      has(t, key) {
        if (typeof key === "string") visit(t).read.add(key);
        return Reflect.has(t, key);
      },
      ownKeys(t) {
        visit(t).enumerated = true;
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(target, proxy);
    return proxy;
  };

  const unknownFields = (): string[] => {
    const found: string[] = [];
    const walk = (node: unknown, pointer: string) => {
      if (Array.isArray(node)) {
        for (const [i, item] of node.entries()) walk(item, `${pointer}/${i}`);
        return;
      }
      if (!isNode(node)) return;
      const v = visits.get(node);
      // Never touched by the validator (opaque, or under an opaque or a mistyped parent): nothing to say.
      if (!v) return;
      for (const [key, child] of Object.entries(node)) {
        const at = `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
        if (!v.enumerated && !v.read.has(key)) found.push(at);
        else walk(child, at);
      }
    };
    walk(root, "");
    return found;
  };
  return { proxy: wrap(root), unknownFields };
}
