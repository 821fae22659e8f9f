import type * as pulumi from "@pulumi/pulumi";

/**
 * The provider object Pulumi serializes into every resource's state. Each resource's `provider.ts` exports one of
 * these as its whole module, so when the package is installed under node_modules Pulumi stores a `require` of that
 * module's path (a few hundred bytes) instead of code. The hooks module is loaded by package name at call time,
 * so the stored text holds no config or secret, and fixes to the hooks reach resources created by older releases.
 * Paths of provider.ts and hooks.ts are therefore part of the package's stable surface.
 */
export function thinProvider(resource: string): Required<Omit<pulumi.dynamic.ResourceProvider, "configure">> {
  type Hooks = Required<pulumi.dynamic.ResourceProvider>;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded at run time by design, see above
  const hooks = (): Hooks => require(`heroku-pg-secure/provider/${resource}/hooks`) as Hooks;
  return {
    check: (olds, news) => hooks().check(olds, news),
    diff: (id, olds, news) => hooks().diff(id, olds, news),
    create: (inputs) => hooks().create(inputs),
    read: (id, props) => hooks().read(id, props),
    update: (id, olds, news) => hooks().update(id, olds, news),
    delete: (id, props) => hooks().delete(id, props),
  };
}
