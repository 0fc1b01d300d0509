import type { Child } from "hono/jsx";

/** The page frame: brand, the Collect > Data Imports navigation, and the content. */
export function Layout(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · CDP`}</title>
        <link rel="stylesheet" href="/styles.css" />
      </head>
      <body>
        <header>
          <span class="brand">CDP</span>
          <nav aria-label="Main">
            <span>Collect</span> ›{" "}
            <a href="/" aria-current="page">
              Data Imports
            </a>
          </nav>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}
