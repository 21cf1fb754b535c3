"""Tool definitions read out of compiled Go executables, statically (nothing is run).

Layers, each a module: `view` (bounded reads) and `container` with `elf`,
`macho`, `pe` (sections); `buildinfo` (Go version, main module), `pclntab`
(function names and ranges), `types` (runtime type descriptors); `amd64`
(instruction decoder) and `machine` (values through one function); `sdk`,
`options`, `toolshape`, `model` (what calls and stores mean for tools);
`scan` and `reader` (which functions to walk, in what order); `extract` (the
package-level entry point and its notes).
"""
