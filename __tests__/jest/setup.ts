// Adds cdktf's matchers (toHaveResourceWithProperties, ...) to expect, with their types.
import { setupJest } from 'cdktf/lib/testing/adapters/jest';

setupJest();
