import { CdpShard } from "./shard";

export { CdpShard };

export default {
  /** The store has no public surface: other Workers reach its objects through their bindings. */
  async fetch() {
    return Response.json(
      { error: { code: "not_found", message: "The CDP store answers only the product's Workers." } },
      { status: 404 },
    );
  },
} satisfies ExportedHandler<Env>;
