import { useEffect, useState } from 'preact/hooks';

/** A console page, parsed from the URL fragment (`#/incidents/<id>` …). */
export type Route =
  | { page: 'signin'; token: string }
  | { page: 'incidents' }
  | { page: 'incident'; id: string }
  | { page: 'register' }
  | { page: 'drills' };

/** Parses a location hash into a route; anything unknown is the incident list. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [head, arg] = parts;
  if (head === 'signin' && arg) return { page: 'signin', token: arg };
  if (head === 'incidents' && arg) return { page: 'incident', id: decodeURIComponent(arg) };
  if (head === 'register') return { page: 'register' };
  if (head === 'drills') return { page: 'drills' };
  return { page: 'incidents' };
}

/** The route of the current URL fragment, following navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/**
 * Replaces the current URL without adding a history entry, so a sign-in token leaves the address
 * bar and the history at once.
 */
export function replaceRoute(hash: string): void {
  history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  dispatchEvent(new HashChangeEvent('hashchange'));
}
