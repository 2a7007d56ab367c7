"""The Qt-free core: ratings data (``aegui.core.data``), the autoencoder engine (``aegui.core.engine``)
and session files (``aegui.core.session``)."""
