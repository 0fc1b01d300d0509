import { Hono } from "hono";
import { Layout } from "./layout";

const app = new Hono<{ Bindings: Env }>();

app.get("/", (c) =>
  c.html(
    <Layout title="Data Imports">
      <h1>Data Imports</h1>
      <p>Bring orders, customers and product catalogues into the platform.</p>
      <a class="button" href="/imports/new">
        New Import
      </a>
    </Layout>,
  ),
);

// Static files (styles, scripts) come from the assets directory.
app.get("*", (c) => c.env.ASSETS.fetch(c.req.raw));

export default app satisfies ExportedHandler<Env>;
