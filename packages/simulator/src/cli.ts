#!/usr/bin/env node
export const cli = true;
