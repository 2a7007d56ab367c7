"""The network view (:class:`NetworkView`): a Qt skin over :mod:`aegui.core.layout` and
:mod:`aegui.core.steps`. ``view`` wires the widget, ``drawing`` draws a frame with the graphics items of
``items`` in the pens of ``style``, ``texts`` writes its words."""

from .view import NetworkView

__all__ = ["NetworkView"]
