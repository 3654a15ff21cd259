import { useEffect, useState } from 'preact/hooks';

/**
 * Routes live in the hash (`#/plans/<id>`): every page is the one index.html, so the engine serves
 * static files only and a reload never asks it for a path it does not have.
 */
export function useRoute(): string[] {
  const read = () =>
    (location.hash.replace(/^#\/?/, '') || 'plans').split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => {
      setRoute(read());
      window.scrollTo(0, 0);
    };
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export const href = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join('/')}`;
