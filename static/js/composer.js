// The composer: a live character count against LinkedIn's limit, captions that fill the text
// box without a reload, and a hint when a suggested caption is left word for word.
// Everything here also works without JavaScript (the count is rendered by the server, the
// caption links reload the page with the caption filled in).
(function () {
  "use strict";

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) {
      return values[name];
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var text = document.querySelector("textarea[data-limit]");
    var count = document.getElementById("text-count");
    if (!text || !count) {
      return;
    }
    var limit = parseInt(text.getAttribute("data-limit"), 10);
    var unchanged = document.getElementById("text-unchanged");
    var captionInput = document.querySelector("input[name='caption']");
    var captions = Array.prototype.map.call(
      document.querySelectorAll("[data-caption-text]"),
      function (link) {
        return link.getAttribute("data-caption-text");
      }
    );
    var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

    function update() {
      // Code points, as the server and LinkedIn count them, not UTF-16 units.
      var length = Array.from(text.value).length;
      var values = {
        count: numbers.format(length),
        limit: numbers.format(limit),
        over: numbers.format(Math.max(0, length - limit)),
      };
      var over = length > limit;
      count.textContent = format(
        count.getAttribute(over ? "data-over" : "data-template"),
        values
      );
      count.classList.toggle("over-limit", over);
      text.setAttribute("aria-invalid", over ? "true" : "false");
      if (unchanged) {
        unchanged.classList.toggle("hidden", captions.indexOf(text.value.trim()) === -1);
      }
    }

    document.querySelectorAll("[data-caption-text]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        text.value = link.getAttribute("data-caption-text");
        if (captionInput) {
          captionInput.value = link.getAttribute("data-caption-id");
        }
        update();
        text.focus();
      });
    });
    // An own post's "with this one" follows the "about the company" box.
    var mixAfter = document.getElementById("mix-after");
    var mixOver = document.getElementById("mix-over");
    var company = document.querySelector("input[name='is_company_content']");
    if (mixAfter && company && mixAfter.hasAttribute("data-template")) {
      var percent = new Intl.NumberFormat(document.documentElement.lang || undefined, {
        maximumFractionDigits: 1,
      });
      var updateMix = function () {
        var posts = parseInt(mixAfter.getAttribute("data-posts"), 10) + 1;
        var about = parseInt(mixAfter.getAttribute("data-company"), 10) + (company.checked ? 1 : 0);
        var pct = Math.round((1000 * about) / posts) / 10;
        mixAfter.textContent = format(mixAfter.getAttribute("data-template"), {
          pct: percent.format(pct),
        });
        if (mixOver) {
          mixOver.classList.toggle(
            "hidden",
            pct <= parseInt(mixAfter.getAttribute("data-target"), 10)
          );
        }
      };
      company.addEventListener("change", updateMix);
    }

    text.removeAttribute("maxlength"); // let people see how far over they are, then trim
    text.addEventListener("input", update);
    update();
  });
})();
