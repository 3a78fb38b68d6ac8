import { Layout, type Section } from "./layout.tsx";

/** A dashboard 404, as a page (the JSON problem would be of no use in a browser). */
export function NotFoundPage(props: { section: Section; what: string }) {
  return (
    <Layout title="Not found" section={props.section}>
      <h1>No such {props.what}</h1>
      <p>
        <a href={`/admin/${props.section}`}>Back to the list</a>
      </p>
    </Layout>
  );
}
