// The shape of wire-table.ts: how the local codec sees one field of the schema.

type Scalar = 'string' | 'bool' | 'bytes' | 'double' | 'float' | 'int32' | 'uint32' | 'sint32' | 'fixed32' | 'sfixed32' | 'int64' | 'uint64' | 'sint64' | 'fixed64' | 'sfixed64';

/**
 * A scalar; an enum or message by full name; a Timestamp (RFC 3339 text in
 * JSON); a Struct (a JSON object both in JSON and in the message); a
 * wrapper (google.protobuf.Int32Value…: the bare value, or absent).
 */
export type WireType = Scalar | `enum:${string}` | `message:${string}` | 'timestamp' | 'struct' | `wrapper:${Scalar}`;

export interface WireField {
  /** As in the schema: the name the daemon writes. */
  name: string;
  /** The property of the message object (protobuf-es's localName). */
  local: string;
  /** The lowerCamelCase JSON name, which protobuf JSON also accepts. */
  json: string;
  number: number;
  type: WireType;
  list?: true;
  /** A map from string keys to values of `type`: a JSON object, and a plain object in the message. */
  map?: true;
  /** Explicit presence: absent from the message until set. */
  optional?: true;
  /** The oneof (its localName) this field is a case of. */
  oneof?: string;
}
