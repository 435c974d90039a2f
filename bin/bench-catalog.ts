import { SERVICE_CATALOG, ServiceCatalog, ServiceSpec } from '../lib/config/service-catalog';

/**
 * The real catalog plus `extra` internal services generated from the real ones (cycling through
 * their shapes: database, AWS resources, secrets, resources), without public paths (CloudFront's
 * behaviour quota caps public prefixes, see validate-services).
 */
export function catalogWithExtraServices(extra: number, base: ServiceCatalog = SERVICE_CATALOG): ServiceCatalog {
  const generated = Array.from({ length: extra }, (_, i): ServiceSpec => {
    const template = base.services[i % base.services.length];
    const name = `svc-${i}`;
    // internal: rolling (canary and blue/green split traffic at the ALB, so they need a public path)
    return {
      ...template,
      name,
      image: { ...template.image, repository: name },
      ingress: undefined,
      calls: undefined,
      rollout: { strategy: 'rolling' },
    };
  });
  return { ...base, services: [...base.services, ...generated] };
}
