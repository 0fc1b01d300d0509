import { raw } from "hono/html";
import type { Child } from "hono/jsx";

export interface LayoutProps {
  title: string;
  /** The signed-in session's CSRF token; absent on the sign-in page. */
  csrf?: string;
  /** Client scripts of the page, from /js. */
  scripts?: string[];
  /** Client scripts of the page that are ES modules (they import others of /js), from /js. */
  modules?: string[];
  /** A page of its own under Data Imports (Webhooks, Inbox): the breadcrumbs end with it. */
  section?: { name: string; href: string };
  /** An area of Collect other than Data Imports (Profiles): the breadcrumbs name it instead. */
  area?: { name: string; href: string };
  children: Child;
}

/** The page frame: brand, the Collect > Data Imports navigation, sign-out, and the content. */
export function Layout(props: LayoutProps) {
  return (
    <>
      {/* Standards mode: without the doctype, browsers lay the pages out in quirks mode. */}
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          {props.csrf ? <meta name="csrf-token" content={props.csrf} /> : null}
          <title>{`${props.title} · CDP`}</title>
          <link rel="stylesheet" href="/styles.css" />
          {/* No favicon request: the browser would log a 404 on every page. */}
          <link rel="icon" href="data:," />
          {(props.scripts ?? []).map((src) => (
            <script src={`/js/${src}`} defer />
          ))}
          {(props.modules ?? []).map((src) => (
            <script type="module" src={`/js/${src}`} />
          ))}
        </head>
        <body>
          <a class="skip-link" href="#main">
            Skip to content
          </a>
          <header class="site-header">
            <a class="brand" href="/">
              CDP
            </a>
            <nav aria-label="Main">
              <ol class="breadcrumbs">
                <li>
                  <span>Collect</span>
                </li>
                {props.area ? (
                  <li>
                    <a href={props.area.href} aria-current="page">
                      {props.area.name}
                    </a>
                  </li>
                ) : (
                  <li>
                    <a href="/" aria-current={props.section ? undefined : "page"}>
                      Data Imports
                    </a>
                  </li>
                )}
                {props.section ? (
                  <li>
                    <a href={props.section.href} aria-current="page">
                      {props.section.name}
                    </a>
                  </li>
                ) : null}
              </ol>
            </nav>
            {props.csrf ? (
              <nav aria-label="Pages" class="header-links">
                {props.area?.href !== "/profiles" ? (
                  <a class="header-link" href="/profiles">
                    Profiles
                  </a>
                ) : null}
                {props.area ? (
                  <a class="header-link" href="/">
                    Data Imports
                  </a>
                ) : null}
                {props.section?.href !== "/webhooks" ? (
                  <a class="header-link" href="/webhooks">
                    Webhooks
                  </a>
                ) : null}
                {props.section?.href !== "/inbox" ? (
                  <a class="header-link" href="/inbox">
                    Inbox
                  </a>
                ) : null}
              </nav>
            ) : null}
            {props.csrf ? (
              <form class="sign-out" method="post" action="/sign-out">
                <input type="hidden" name="_csrf" value={props.csrf} />
                <button type="submit" class="link-button">
                  Sign out
                </button>
              </form>
            ) : null}
          </header>
          <main id="main" tabindex={-1}>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

/** A message from the API or the dashboard, in a live region so screen readers announce it. */
export function Alert(props: { kind: "error" | "notice"; children: Child }) {
  return (
    <div class={`alert alert-${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.children}
    </div>
  );
}

/** The hidden CSRF field of a form that changes something. */
export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** One step of a breadcrumb trail: a link to a page above, or a name without a page. */
export interface Crumb {
  text: string;
  href?: string;
  /** A class for the text (an import's name is styled as one everywhere). */
  class?: string;
}

/** The breadcrumb trail: the pages above this one, and this page's own name last. */
export function Crumbs(props: { trail: Crumb[]; here?: Crumb }) {
  const { here } = props;
  return (
    <nav class="crumbs" aria-label="Breadcrumb">
      <ol>
        {props.trail.map((crumb) => (
          <li>
            {crumb.href ? (
              <a href={crumb.href} class={crumb.class}>
                {crumb.text}
              </a>
            ) : (
              <span class={crumb.class}>{crumb.text}</span>
            )}
          </li>
        ))}
        {here ? (
          <li>
            <span aria-current="page" class={here.class}>
              {here.text}
            </span>
          </li>
        ) : null}
      </ol>
    </nav>
  );
}

/** The first step of every trail: the list of imports. */
export const HOME_CRUMB: Crumb = { text: "Data Imports", href: "/" };
