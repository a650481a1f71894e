// Placeholder until its issue lands; the owner replaces this file.
import { defineCommand } from '../command';
import { LarderError } from '../../errors';

export default defineCommand({
  meta: { name: 'services', description: 'not built yet' },
  args: {},
  async run() {
    throw new LarderError('INTERNAL', '"larder services" is not built yet');
  },
});
