import { Layout, type Section } from "./layout.tsx";

/**
 * The page of a primitive whose library has not landed yet: says so instead of a 404, so the
 * navigation stays whole while the primitives are built.
 */
export function PendingPage(props: { section: Section; title: string; what: string }) {
  return (
    <Layout title={props.title} section={props.section}>
      <h1>{props.title}</h1>
      <section class="card">
        <p class="muted">{props.what} will appear here once this Worker ships the primitive.</p>
      </section>
    </Layout>
  );
}
