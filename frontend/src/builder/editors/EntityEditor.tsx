// Placeholder: replaced by the page's implementation.
export default function EntityEditor({ appKey, definitionKey }: { appKey: string; definitionKey: string }) {
  return <main id="main" className="page"><h1>EntityEditor</h1>{JSON.stringify([appKey,definitionKey].filter(Boolean))}</main>
}
