"""The inbox: shop orders come in, wait in folders, and are submitted to Cin7 for fulfilment.

Modules: ``errors`` (the exception tree), ``orders`` (reading and checking one order),
``checkout`` (the checkout fields that become Cin7 fields), ``intake`` (storing an order
once per shop order id), ``folders``, ``events`` (what happened to an order, appended to
its log), ``changes`` (what a person or a rule does to an order, each logged as an event),
``bus`` (settles each event: runs the rules, holds the loop guard), ``rules`` (the rules'
conditions, checked purely) and ``actions`` (the rules' action table), ``options``
(the inbox settings), ``tokens`` (the shops' API tokens), ``csv_import``, ``shopify``
(the ``orders/create`` webhook), ``branches`` (Cin7's branch ids, cached), ``cin7_order``
(an inbox order as a Cin7 sales order) and ``submit`` (sending orders to Cin7).
"""
