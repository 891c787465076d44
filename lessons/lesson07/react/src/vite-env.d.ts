// The variables this page reads from import.meta.env. Vite exposes only names that start with
// VITE_, from the environment or from a .env.local file beside package.json (never committed).
interface ImportMetaEnv {
  /** The domain key OpenAI gives you when you register your page's domain (domain_pk_...). */
  readonly VITE_CHATKIT_API_DOMAIN_KEY?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
