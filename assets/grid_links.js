// Grid links drawn as text: a cell's value is the link's text (never Markdown or HTML), and its address is
// either a fixed local prefix + the value, URL-encoded (account and opportunity codes), or the row's own
// "<field>_href", which must be a local path. Data can never make a link that leaves this server.
(function () {
  var funcs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});
  function localPath(href) {
    return typeof href === "string" && href.charAt(0) === "/" && href.charAt(1) !== "/" && href.charAt(1) !== "\\";
  }
  funcs.SafeLink = function (props) {
    if (props.value === null || props.value === undefined || props.value === "") { return ""; }
    var text = String(props.value);
    var href = props.prefix
      ? props.prefix + encodeURIComponent(text)
      : props.data && props.colDef ? props.data[props.colDef.field + "_href"] : null;
    if (!localPath(href)) { return text; }
    return React.createElement("a", { href: href }, text);
  };
})();
