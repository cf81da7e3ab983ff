/* Tabs as the WAI-ARIA Authoring Practices have them (layouts/components.py builds them, callbacks/tabs.py wires them).
   A click chooses a tab; Left and Right move to the previous or next tab and choose it, Home and End the first and
   last. The choice of each tab set is kept in the session store, so a redrawn panel opens on the tab last chosen. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  tabs: {
    choose: function (clicks, tabIds, choices) {
      var name = tabIds[0].tabs;
      var trigger = window.dash_clientside.callback_context.triggered_id;
      var chosen = (choices || {})[name];
      if (trigger && trigger.tab && clicks.some(function (n) { return n; })) {
        chosen = trigger.tab;
        var kept = Object.assign({}, choices || {});
        kept[name] = chosen;
        // The store is the callback's last State, so its id is not written out twice.
        window.dash_clientside.set_props(window.dash_clientside.callback_context.states_list[1].id, {data: kept});
      }
      if (!tabIds.some(function (t) { return t.tab === chosen; })) { chosen = tabIds[0].tab; }
      return [
        tabIds.map(function (t) { return t.tab === chosen ? "true" : "false"; }),
        tabIds.map(function (t) { return t.tab === chosen ? "0" : "-1"; }),
        tabIds.map(function (t) { return t.tab !== chosen; }),
      ];
    },
  },
});

document.addEventListener("keydown", function (event) {
  var tab = event.target.closest && event.target.closest('[role="tab"]');
  if (!tab || event.altKey || event.ctrlKey || event.metaKey) { return; }
  var tabs = Array.prototype.slice.call(tab.closest('[role="tablist"]').querySelectorAll('[role="tab"]'));
  var at = tabs.indexOf(tab);
  var next = {ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1}[event.key];
  if (next === undefined) { return; }
  event.preventDefault();
  var target = tabs[(next + tabs.length) % tabs.length];
  target.focus();
  target.click();
});
