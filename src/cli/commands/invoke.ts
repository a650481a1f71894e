// Placeholder until its issue lands; the owner replaces this file.
import { defineCommand } from '../command';
import { LarderError } from '../../errors';

export default defineCommand({
  meta: { name: 'invoke', description: 'not built yet' },
  args: {},
  async run() {
    throw new LarderError('INTERNAL', '"larder invoke" is not built yet');
  },
});
