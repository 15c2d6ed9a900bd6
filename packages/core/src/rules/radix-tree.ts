interface RadixNode<Value> {
  label: string;
  readonly children: Map<number, RadixNode<Value>>;
  value: Value | undefined;
}

/**
 * A compressed trie of literal strings (UTF-16 code units: for literal text
 * this gives the same prefixes as UTF-8 bytes). `visitPrefixesOf` finds every
 * stored key that starts `text` in O(text length), however many keys are stored.
 */
export class RadixTree<Value> {
  private readonly root: RadixNode<Value> = { label: "", children: new Map(), value: undefined };
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The value stored under `key`, made with `create` if there is none yet. */
  upsert(key: string, create: () => Value): Value {
    let node = this.root;
    let position = 0;
    while (position < key.length) {
      const first = key.charCodeAt(position);
      const child = node.children.get(first);
      if (child === undefined) {
        const leaf: RadixNode<Value> = { label: key.slice(position), children: new Map(), value: undefined };
        node.children.set(first, leaf);
        node = leaf;
        break;
      }
      const shared = sharedLength(child.label, key, position);
      if (shared < child.label.length) {
        const middle: RadixNode<Value> = { label: child.label.slice(0, shared), children: new Map(), value: undefined };
        child.label = child.label.slice(shared);
        middle.children.set(child.label.charCodeAt(0), child);
        node.children.set(first, middle);
        node = middle;
      } else {
        node = child;
      }
      position += shared;
    }
    if (node.value === undefined) {
      node.value = create();
      this.count++;
    }
    return node.value;
  }

  /** Calls `visit(value, keyLength)` for each stored key that is a prefix of `text` and at most `maxLength` long, shortest first. */
  visitPrefixesOf(text: string, maxLength: number, visit: (value: Value, keyLength: number) => void): void {
    let node = this.root;
    let position = 0;
    while (true) {
      if (node.value !== undefined) visit(node.value, position);
      if (position >= text.length) return;
      const child = node.children.get(text.charCodeAt(position));
      if (child === undefined || position + child.label.length > maxLength || !text.startsWith(child.label, position)) return;
      position += child.label.length;
      node = child;
    }
  }
}

function sharedLength(label: string, key: string, offset: number): number {
  const limit = Math.min(label.length, key.length - offset);
  let index = 0;
  while (index < limit && label.charCodeAt(index) === key.charCodeAt(offset + index)) index++;
  return index;
}
