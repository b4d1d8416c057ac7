import type { Actor } from '../datasources/polytomic/types.js';
import { builder } from './builder.js';

export const ActorRef = builder.objectRef<Actor>('Actor').implement({
  description: 'v2. Who created or last changed something.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The actor's id." }),
    name: t.exposeString('name', { description: "The actor's name." }),
    type: t.exposeString('type', {
      description: 'user, system, organization or partner, as Polytomic sends it.',
    }),
  }),
});
