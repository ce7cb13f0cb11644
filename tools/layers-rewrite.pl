#!/usr/bin/perl -i
# The layering change of issue 16.1/16.2 (docs/design-notes.md, "Layers"),
# as a mechanical rewrite of code above the transport (src/ops, src/transfer,
# src/split), so that it can be re-applied to files written before it:
#
#   - include lines: loop/, pool/ and req/ became transport/; loop/client.h
#     (the client's layout) is gone for those layers: src/ops/* include
#     ops/context.h, everything else transfer/context.h;
#   - client fields: EXPR->F, where EXPR is a chain of names ending in `cl`
#     (cl, op->cl, t->cl, p->op->cl ...), becomes
#         ossio__cl_tp(EXPR)->F    for the transport context's fields,
#         ossio__cl_ops(EXPR)->F   for the operations context's,
#         ossio__cl_xfer(EXPR)->F  for the transfer context's;
#   - the one container_of on the client (the budget's mem_kick) goes through
#     the transfer context, which points back to its client.
#
# Idempotent (a rewritten access no longer reads `cl->F`).
# usage: perl -i tools/layers-rewrite.pl FILE...   then clang-format -i FILE...
#   e.g. perl -i tools/layers-rewrite.pl src/ops/*.[ch] src/transfer/*.[ch] src/split/*.[ch]
#        clang-format -i src/ops/*.[ch] src/transfer/*.[ch] src/split/*.[ch]
use strict;
use warnings;

my $tp = qr/(?:log_level|destroying|resolver|origins|ssl_ctx|log_ud|stats|defer|loop|set|all|log)/;
my $ops = qr/(?:error|oss|ops)/;
my $xfer = qr/(?:mem_waiters_tail|mem_waiters|mem_kick|transfers)/;
my $expr = qr/\b((?:[A-Za-z_]\w*->)*cl)/;

while (<>) {
    my $ctx = $ARGV =~ m{(^|/)ops/} ? 'ops/context.h' : 'transfer/context.h';
    s{#include "loop/client\.h"}{#include "$ctx"};
    s{#include "loop/defer\.h"}{#include "transport/defer.h"};
    s{#include "pool/pool\.h"}{#include "transport/pool.h"};
    s{#include "pool/conn\.h"}{#include "transport/conn.h"};
    s{#include "req/request\.h"}{#include "transport/request.h"};
    # the budget's deferred kick finds its client through the transfer context
    s{\(ossio_client \*\)\(\(char \*\)(\w+) - offsetof\(ossio_client, mem_kick\)\)}
     {((ossio__xfer_ctx *)((char *)$1 - offsetof(ossio__xfer_ctx, mem_kick)))->cl}g;
    s{$expr->($xfer)\b}{ossio__cl_xfer($1)->$2}g;
    s{$expr->($ops)\b}{ossio__cl_ops($1)->$2}g;
    s{$expr->($tp)\b}{ossio__cl_tp($1)->$2}g;
    print;
}
