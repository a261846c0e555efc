// Placeholder: replaced by the page's implementation.
export default function TestsPage({ appKey }: { appKey: string }) {
  return <main id="main" className="page"><h1>TestsPage</h1>{JSON.stringify([appKey].filter(Boolean))}</main>
}
