// Placeholder: replaced by the page's implementation.
export default function AppsPage() {
  return <main id="main" className="page"><h1>AppsPage</h1>{JSON.stringify([].filter(Boolean))}</main>
}
